import tseslint from 'typescript-eslint';
import { floorsRule } from './eslint/floors.js';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'coverage/', 'src/console/static/vendor/'] },
  ...tseslint.configs.recommended,
  {
    plugins: { msec: { rules: { floors: floorsRule } } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      'no-console': 'off',
      'msec/floors': 'error',
    },
  },
);
