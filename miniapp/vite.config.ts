import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig, type Plugin } from 'vite';
import { INITIAL_BUDGET_BYTES, kib, measureMiniapp } from '../bench/miniapp-size.js';

const root = fileURLToPath(new URL('.', import.meta.url));
const outDir = fileURLToPath(new URL('../dist/miniapp', import.meta.url));

/** Fails the build when the initial JavaScript and CSS exceed the gzipped budget. */
function sizeBudget(): Plugin {
  return {
    name: 'pulse-size-budget',
    apply: 'build',
    closeBundle() {
      const size = measureMiniapp(outDir);
      if (size.initialGzipBytes > INITIAL_BUDGET_BYTES) {
        throw new Error(
          `mini-app initial assets are ${kib(size.initialGzipBytes)} gzipped, over the ${kib(INITIAL_BUDGET_BYTES)} budget`,
        );
      }
      this.info?.(`initial assets ${kib(size.initialGzipBytes)} gzipped`);
    },
  };
}

export default defineConfig({
  root,
  base: '/app/',
  plugins: [vue(), sizeBudget()],
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    __VUE_I18N_FULL_INSTALL__: 'false',
    __VUE_I18N_LEGACY_API__: 'false',
    __INTLIFY_PROD_DEVTOOLS__: 'false',
  },
  build: {
    outDir,
    emptyOutDir: true,
    manifest: true,
    target: 'es2020',
    cssCodeSplit: true,
    reportCompressedSize: false,
  },
});
