// switchboard-backend: runs the convex/ functions on a local SQLite file. Not implemented yet.
process.stderr.write(
  "usage: switchboard-backend (local Convex backend) - not implemented yet\n",
);
process.exitCode = 2;
