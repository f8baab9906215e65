using NUnit.Framework;

// SimdPath.Max is process-wide and every fixture forces it: tests must never run concurrently.
[assembly: NonParallelizable]
