import type { DayState } from './coverage-days.js';

/** Text safe in HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/** JSON safe inside a `<script type="application/json">` element (no `</script>`, no `<!--`). */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Colours of the day states (all in the legend); distinct for colour-blind readers too. */
export const DAY_COLOURS: Record<DayState, string> = {
  lost: '#c0142b',
  'at-risk': '#7b2cbf',
  pending: '#e69f00',
  archived: '#1b7f3b',
  'not-recorded': '#cfcfcf',
  'before-known': '#f2f2f2',
};

/** What the legend calls each state. */
export const DAY_LABELS: Record<DayState, string> = {
  lost: 'lost',
  'at-risk': 'at risk',
  pending: 'pending',
  archived: 'archived',
  'not-recorded': 'not recorded',
  'before-known': 'before camdl knew the camera',
};

/** The page's style: screen and paper. */
export function reportCss(classOf: Record<DayState, string>): string {
  const fills = (Object.keys(DAY_COLOURS) as DayState[]).map((state) => `svg rect.${classOf[state]},.sw.${classOf[state]}{fill:${DAY_COLOURS[state]};background:${DAY_COLOURS[state]}}`).join('');
  return `body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff;max-width:1200px}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:0 0 4px}h2 small{font-weight:normal;color:#555}h3{font-size:13px;margin:10px 0 2px;color:#333}
.meta{color:#555;margin:2px 0}.verdict{font-size:16px;font-weight:bold;margin:10px 0}
.ok{color:${DAY_COLOURS.archived}}.warn{color:${DAY_COLOURS.pending}}.fail{color:${DAY_COLOURS.lost}}
.legend{margin:8px 0 16px;display:flex;flex-wrap:wrap;gap:4px 16px}.key{white-space:nowrap}.sw{display:inline-block;width:12px;height:12px;margin-right:5px;vertical-align:-1px;border:1px solid #999;box-sizing:border-box}.sw.g{border:2px solid ${DAY_COLOURS.lost}}
table{border-collapse:collapse;margin:6px 0}td,th{padding:2px 10px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}.n{text-align:right}
table.fleet td.mark{font-weight:bold;font-size:16px;line-height:1}table.fleet a{color:inherit}
section.camera{border-top:1px solid #ccc;margin-top:18px;padding-top:10px}
svg.calendar{display:block;overflow:visible}svg.calendar rect{cursor:pointer;stroke:#fff;stroke-width:.5}svg.calendar rect:hover{stroke:#000;stroke-width:1.5}
svg rect.b{stroke:#ddd}svg.calendar rect.g{stroke:${DAY_COLOURS.lost};stroke-width:1.5}
svg text{font-family:system-ui,sans-serif}.year{font-size:11px;font-weight:bold;fill:#222}.month,.wd{font-size:9px;fill:#555}.wd{text-anchor:end}
${fills}
.strip{margin:8px 0;padding:6px 10px;border:1px solid #bbb;background:#fafafa}.strip svg{display:block;width:100%;height:auto}.strip .hour{font-size:10px;fill:#333;text-anchor:middle}.strip line{stroke:#999;stroke-width:.5}.strip rect{stroke:#fff;stroke-width:.5}
ul.named{margin:4px 0;padding-left:20px}ul.named li{overflow-wrap:anywhere}
@media print{body{margin:0;max-width:none}*{-webkit-print-color-adjust:exact;print-color-adjust:exact}.strip,.close{display:none}section.camera{break-inside:avoid}a{color:inherit;text-decoration:none}}
`;
}

/**
 * The page's script: a day cell clicked, or a `#camera/YYYY-MM-DD` anchor, opens that day's 24-hour
 * strip per channel from the embedded data (hour ticks, each recording, the lost and pending ones
 * named). It only builds elements with `textContent`: no camera-sent text is ever parsed as HTML.
 */
export const REPORT_SCRIPT = `(function(){
var data=JSON.parse(document.getElementById('camdl-days').textContent);
var NS='http://www.w3.org/2000/svg';
var NAMES={a:'archived',p:'pending',r:'at risk',l:'lost'};
function el(tag,attrs,text,svg){var e=svg?document.createElementNS(NS,tag):document.createElement(tag);for(var k in attrs)e.setAttribute(k,attrs[k]);if(text!=null)e.textContent=text;return e;}
function clock(zone){var o={hour:'2-digit',minute:'2-digit',hourCycle:'h23'};try{o.timeZone=zone;return new Intl.DateTimeFormat('en-GB',o);}catch(e){o.timeZone='UTC';return new Intl.DateTimeFormat('en-GB',o);}}
function hideAll(){var s=document.querySelectorAll('.strip');for(var i=0;i<s.length;i++){s[i].hidden=true;s[i].textContent='';}}
function drawDay(panel,entry,label,zone){
var f=clock(zone),W=1000,L=0,H=46,start=entry[0],end=entry[1],span=Math.max(1,end-start);
function x(ms){return L+Math.min(Math.max(ms-start,0),span)/span*(W-L);}
var svg=el('svg',{viewBox:'0 0 '+W+' '+H,role:'img','aria-label':label},null,true);
for(var t=start,k=0;t<end;t+=3600000,k++){svg.appendChild(el('line',{x1:x(t),x2:x(t),y1:14,y2:H},null,true));if(k%3===0&&x(t)+30<W){svg.appendChild(el('text',{'class':'hour',x:Math.max(x(t),16),y:10},f.format(new Date(t)),true));}}
var tokens=entry[2]?entry[2].split(' '):[];
for(var i=0;i<tokens.length;i++){var m=/^([aprl])([0-9a-z]+)\\.([0-9a-z]+)(?:\\*([0-9a-z]+))?$/.exec(tokens[i]);if(!m)continue;
var s=parseInt(m[2],36),d=parseInt(m[3],36),n=m[4]?parseInt(m[4],36):1;
for(var j=0;j<n;j++){var a=start+(s+j*d)*60000,b=a+d*60000,r=el('rect',{'class':m[1],x:x(a),y:16,width:Math.max(1,x(b)-x(a)),height:H-18},null,true);
r.appendChild(el('title',{},NAMES[m[1]]+' '+f.format(new Date(a))+'\\u2013'+f.format(new Date(b)),true));svg.appendChild(r);}}
panel.appendChild(el('h4',{},label));panel.appendChild(svg);
var named=entry[3]||[];if(named.length>0||entry[4]>0){var ul=el('ul',{'class':'named'});
for(var q=0;q<named.length;q++){var it=named[q];ul.appendChild(el('li',{'class':it[0]},NAMES[it[0]]+': '+it[1]+' ('+it[2]+')'+(it[3]?' \\u2014 '+it[3]:'')));}
if(entry[4]>0)ul.appendChild(el('li',{},'and '+entry[4]+' more not archived'));panel.appendChild(ul);}}
function show(key,day){
var cam=null,i;for(i=0;i<data.length;i++)if(data[i].k===key)cam=data[i];
var sections=document.querySelectorAll('section.camera'),section=null;for(i=0;i<sections.length;i++)if(sections[i].getAttribute('data-key')===key)section=sections[i];
if(!cam||!section)return false;
hideAll();var panel=section.querySelector('.strip');panel.hidden=false;
var head=el('h3',{},day+' \\u00b7 '+cam.n+' \\u00b7 camera time ('+cam.z+') ');var close=el('a',{href:'#','class':'close'},'close');head.appendChild(close);panel.appendChild(head);
for(i=0;i<cam.c.length;i++){var ch=cam.c[i],entry=ch.d[day];if(entry)drawDay(panel,entry,ch.l,cam.z);else panel.appendChild(el('p',{'class':'meta'},ch.l+': nothing known on '+day));}
return true;}
function route(scroll){var h=location.hash.slice(1),k=h.lastIndexOf('/');if(k<0){hideAll();return;}
var key;try{key=decodeURIComponent(h.slice(0,k));}catch(e){return;}var day=h.slice(k+1);
if(!/^\\d{4}-\\d{2}-\\d{2}$/.test(day))return;if(show(key,day)&&scroll){var p=document.querySelector('.strip:not([hidden])');if(p)p.scrollIntoView({block:'nearest'});}}
window.addEventListener('hashchange',function(){route(true);});
document.addEventListener('click',function(ev){var t=ev.target;if(!t||!t.closest)return;var r=t.closest('svg.calendar rect');if(!r)return;var s=r.closest('section.camera'),title=r.querySelector('title');if(!s||!title)return;
location.hash=encodeURIComponent(s.getAttribute('data-key'))+'/'+title.textContent.slice(0,10);});
route(true);
})();`;
