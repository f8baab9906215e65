namespace NafNative.Learning.Exploration;

/// <summary>Independent N(0, σ²) noise per action dimension and step, σ decaying per episode.</summary>
public sealed class GaussianNoise : IExplorationNoise
{
    private readonly NoiseSchedule _schedule;
    private readonly Random _random;
    private long _episode = -1;

    public GaussianNoise(NoiseSchedule schedule, int seed)
    {
        _schedule = schedule;
        _random = new Random(seed);
        Scale = schedule.Initial;
    }

    public float Scale { get; private set; }

    public void StartEpisode() => Scale = _schedule.At(++_episode);

    public void AddTo(Span<float> action)
    {
        for (int i = 0; i < action.Length; i++) action[i] += Scale * StandardNormal.Sample(_random);
    }
}
