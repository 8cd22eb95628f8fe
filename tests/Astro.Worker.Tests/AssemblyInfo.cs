// TorchSharp's thread count is process-wide and the machine has 2 cores; the integration tests share one Azurite and
// one function host: run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
