import { readdirSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The conventions of docs/architecture.md that a compiler can check, over every package's public surface
// (what its src/index.ts exports).
const root = new URL('..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages')).filter((name) => {
  const manifest = join(root, 'packages', name, 'package.json');
  return existsSync(manifest) && !(JSON.parse(readFileSync(manifest, 'utf8')) as { private?: boolean }).private;
});
const entries = packages.map((name) => join(root, 'packages', name, 'src', 'index.ts'));
const program = ts.createProgram(entries, {
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  strict: true,
  noEmit: true,
  customConditions: ['@camdl/source'],
});
const checker = program.getTypeChecker();

function publicSymbols(name: string): ts.Symbol[] {
  const source = program.getSourceFile(join(root, 'packages', name, 'src', 'index.ts'))!;
  const moduleSymbol = checker.getSymbolAtLocation(source)!;
  return checker.getExportsOfModule(moduleSymbol).map((symbol) => (symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol));
}

const ownDeclaration = (symbol: ts.Symbol): boolean => symbol.declarations?.some((declaration) => declaration.getSourceFile().fileName.startsWith(join(root, 'packages'))) ?? false;

describe.each(packages)('@camdl/%s public surface', (name) => {
  it('every property of an exported *Options type has TSDoc, and every optional one an @default', () => {
    const problems: string[] = [];
    for (const symbol of publicSymbols(name)) {
      if (!symbol.name.endsWith('Options') || !(symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias))) continue;
      for (const property of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) {
        if (!ownDeclaration(property)) continue; // inherited from undici or Node
        const documented = ts.displayPartsToString(property.getDocumentationComment(checker)) !== '' || property.getJsDocTags(checker).length > 0;
        const optional = (property.flags & ts.SymbolFlags.Optional) !== 0;
        if (!documented) problems.push(`${symbol.name}.${property.name}: no TSDoc`);
        else if (optional && !property.getJsDocTags(checker).some((tag) => tag.name === 'default')) problems.push(`${symbol.name}.${property.name}: no @default`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every exported error class has a stable code and an exported copy-safe is…Error guard', () => {
    const exported = new Map(publicSymbols(name).map((symbol) => [symbol.name, symbol]));
    const errorClasses = [...exported.values()].filter((symbol) => {
      if (!(symbol.flags & ts.SymbolFlags.Class)) return false;
      const instance = checker.getDeclaredTypeOfSymbol(symbol);
      return checker.getBaseTypes(instance as ts.InterfaceType).some((base) => base.symbol?.name === 'Error');
    });
    expect(errorClasses.length, 'one error class per package').toBeGreaterThan(0);
    for (const errorClass of errorClasses) {
      const instance = checker.getDeclaredTypeOfSymbol(errorClass);
      expect(instance.getProperty('code'), `${errorClass.name}.code`).toBeDefined();
      expect(exported.has(`is${errorClass.name}`), `is${errorClass.name} exported`).toBe(true);
    }
  });
});
