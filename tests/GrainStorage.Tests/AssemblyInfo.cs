// The cluster tests each run a whole three-silo cluster; on a 2-core machine they run one at a
// time so that elections and deadlines are not starved by a neighbour's cluster.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
