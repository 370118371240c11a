// Starts the NHS.UK frontend components (header menu, error summary focus, tabs, ...).
import { initAll } from './nhsuk-frontend.min.js';
initAll();
