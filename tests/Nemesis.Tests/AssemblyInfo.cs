// Every test runs a cluster of silo processes: one at a time, or two cores thrash.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
