// Makes the widgets' one script and names everything by its content, in DIR (target/site/w
// as build_assets makes it), from wasm-bindgen's glue (kassa_widgets.js), the optimised wasm
// (kassa_widgets_bg.wasm) and the elements' shim (SHIM, widgets/js/kassa.js):
//   - kassa_widgets_bg-<hash>.wasm: the wasm under its content's name;
//   - kassa-<hash>.js: the glue and the shim in one module, naming that wasm and its SHA-384,
//     which the script checks before running it (a Subresource Integrity hash covers the
//     script only; the script then covers the wasm);
//   - kassa.json: {"script": "/w/v1/kassa-<hash>.js", "integrity": "sha384-..."}, what the
//     admin's snippet shows; the server also answers `/w/v1/kassa.js` (the newest script)
//     with that file's bytes (server/src/http/widget.rs), so there is no second copy.
//   node scripts/widget-bundle.mjs DIR SHIM
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, shimPath] = process.argv.slice(2);
const fail = (why) => { console.error(`widget-bundle: ${why}`); process.exit(1); };
const hex16 = (bytes) => createHash('sha256').update(bytes).digest('hex').slice(0, 16);
const sha384 = (bytes) => createHash('sha384').update(bytes).digest('base64');

const wasm = readFileSync(join(dir, 'kassa_widgets_bg.wasm'));
const wasmName = `kassa_widgets_bg-${hex16(wasm)}.wasm`;
renameSync(join(dir, 'kassa_widgets_bg.wasm'), join(dir, wasmName));

// The glue as part of one module: its exports become the module's own functions.
let glue = readFileSync(join(dir, 'kassa_widgets.js'), 'utf8');
const exportsLine = /^export \{ initSync, __wbg_init as default \};\n?/m;
if (!exportsLine.test(glue)) fail('the glue no longer ends with the exports this script knows');
glue = glue.replace(exportsLine, '').replace(/^export function /gm, 'function ');
if (/^export /m.test(glue)) fail('the glue exports something this script does not know');

// The shim, taking the glue's functions from the same module and naming the wasm.
let shim = readFileSync(shimPath, 'utf8');
const replace = (pattern, by) => {
  if (!pattern.test(shim)) fail(`the shim has no ${pattern}`);
  shim = shim.replace(pattern, by);
};
replace(/^import init, \{[^}]*\} from '\.\/kassa_widgets\.js';\n/m, 'const init = __wbg_init;\n');
replace(/^const WASM = .*;$/m, `const WASM = { file: '${wasmName}', sha384: '${sha384(wasm)}' };`);

const script = `${glue}\n${shim}`;
const pinned = `kassa-${hex16(script)}.js`;
writeFileSync(join(dir, pinned), script);
writeFileSync(join(dir, 'kassa.json'), `${JSON.stringify({ script: `/w/v1/${pinned}`, integrity: `sha384-${sha384(script)}` })}\n`);
rmSync(join(dir, 'kassa_widgets.js'));
