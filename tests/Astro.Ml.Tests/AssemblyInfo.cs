// TorchSharp's thread count is process-wide and the machine has 2 cores: run test classes one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
