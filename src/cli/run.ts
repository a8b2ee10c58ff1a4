/** Entry point used by bin/wirelens.js. */
import { main } from './main.js';

await main(process.argv);
