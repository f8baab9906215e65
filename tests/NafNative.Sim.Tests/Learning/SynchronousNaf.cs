using NafNative.Environments;
using NafNative.Learning;
using NafNative.Learning.Exploration;
using NafNative.Naf;
using NafNative.Replay;

namespace NafNative.Sim.Tests.Learning;

/// <summary>A synchronous, seeded training loop for tests: one environment step, then one update, on one thread, so a
/// run is reproducible bit for bit on one machine (the asynchronous runtime is tested on its own and by naf train).
/// Episodes reset with seeds drawn from the run's seed; the policy snapshot is refreshed at each episode's start,
/// as a worker syncs. <c>evaluate</c>, if given, runs every <c>evaluateEvery</c> steps (the periodic evaluation).</summary>
internal static class SynchronousNaf
{
    public static NafTrainer Train(IEnvironment env, NafOptions options, IExplorationNoise noise, int steps, int seed,
        int minReplayFill = 1_000, int replayCapacity = 1 << 17, int evaluateEvery = 0, Action<int, NafTrainer>? evaluate = null)
    {
        var trainer = new NafTrainer(options);
        var ring = new ReplayRing(replayCapacity, env.ObservationSize, env.ActionSize);
        var batch = new ReplayBatch(trainer.Options.BatchSize, ring);
        var random = new ReplayRandom(unchecked((ulong)seed));
        var policy = new NafPolicy(trainer.Network);
        float[] x = new float[env.ObservationSize], x2 = new float[env.ObservationSize], u = new float[env.ActionSize];

        int episode = 0;
        noise.StartEpisode();
        env.Reset(seed, x);
        ParameterSnapshot snapshot = new(trainer.Online.Values, 1, 0);
        for (int t = 0; t < steps; t++)
        {
            policy.Explore(snapshot, x, noise, u);
            var result = env.Step(u, x2);
            // As a worker: a discarded step (a MuJoCo reset) is no transition, and the executed action is stored.
            if (!result.Discard)
            {
                var executed = result.SafetyIntervened ? env.ExecutedAction : default;
                ring.Insert(x, executed.Length == u.Length ? executed : u, result.Reward, x2, result.Terminated, result.Truncated);
            }
            x2.AsSpan().CopyTo(x);
            if (ring.Count >= minReplayFill)
                trainer.Step(ring.TrySample(batch, ref random) ? batch : throw new InvalidOperationException("replay ring empty after fill"));
            if (evaluateEvery > 0 && (t + 1) % evaluateEvery == 0) evaluate?.Invoke(t + 1, trainer);
            if (result.Done)
            {
                snapshot = new ParameterSnapshot(trainer.Online.Values, ++episode + 1, trainer.Steps);
                noise.StartEpisode();
                env.Reset(seed * 100_003 + episode, x);
            }
        }
        return trainer;
    }
}
