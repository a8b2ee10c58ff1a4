// Placeholder until the CLI lands.
process.stdout.write('wirelens\n');
