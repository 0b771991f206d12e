// Each test runs silo processes: one test at a time, or two cores thrash and elections stall.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
