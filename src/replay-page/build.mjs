// Bundles the replay page into dist/ (index.html, style.css, app.js with three.js inside), offline: naf's build runs
// this when the sources are newer than dist/, and copies dist/ beside naf.dll as viewer/.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
mkdirSync('dist');
await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  outfile: 'dist/app.js',
  legalComments: 'eof', // three.js's MIT notice stays in the bundle
  logLevel: 'warning',
});
for (const file of ['index.html', 'style.css']) copyFileSync(file, `dist/${file}`);
