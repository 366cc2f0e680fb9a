// Flat config. Type-aware rules for all TypeScript (each file is checked against the
// nearest tsconfig: convex/tsconfig.json for convex/, the root one for everything else),
// plus the Convex plugin's recommended rules for convex/**.
import { fileURLToPath } from "node:url";
import { defineConfig, globalIgnores } from "eslint/config";
import convexPlugin from "@convex-dev/eslint-plugin";
import tseslint from "typescript-eslint";

export default defineConfig([
  globalIgnores([
    "dist/",
    "node_modules/",
    "convex/_generated/",
    "test/fixtures/",
    "coverage/",
    // Local caches: code-server, and npm start's VS Code profile with the
    // installed (bundled) extension.
    ".cache/",
    "test-artifacts/",
  ]),
  {
    files: ["**/*.{ts,tsx,mts,cts}"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: fileURLToPath(new URL(".", import.meta.url)),
      },
    },
    rules: {
      // A dropped promise is a lost error or a write that may not happen (brief: await every promise).
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    // Build scripts and this file: plain JS, outside every tsconfig, so no type-aware rules.
    files: ["**/*.{js,mjs,cjs}"],
    extends: [
      tseslint.configs.recommended,
      tseslint.configs.disableTypeChecked,
    ],
  },
  ...convexPlugin.configs.recommended,
]);
