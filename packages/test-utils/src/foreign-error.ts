/**
 * An error as a second copy of a package would throw it: same `name` and fields, but made by a
 * class of its own, so `instanceof` the local class is false. Copy-safe type guards must accept it.
 */
export function errorFromAnotherCopy(name: string, message: string, fields: Record<string, unknown>): Error {
  const ForeignError = class extends Error {};
  const error = new ForeignError(message);
  Object.defineProperty(error, 'name', { value: name, enumerable: false });
  return Object.assign(error, fields);
}
