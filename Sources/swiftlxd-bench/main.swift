import Glibc

// The benchmark of issue 5: see `Benchmark.swift` and docs/BENCHMARKS.md.
exit(BenchMain.run(Array(CommandLine.arguments.dropFirst())))
