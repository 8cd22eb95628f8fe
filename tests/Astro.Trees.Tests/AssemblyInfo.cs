// LightGBM trains on 2 OpenMP threads; running test classes in parallel on 2 cores only slows every test down.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
