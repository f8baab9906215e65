namespace NafNative.Learning.Exploration;

/// <summary>Temporally correlated noise (Ornstein–Uhlenbeck, as DDPG and NAF used):
/// xₜ₊₁ = xₜ − θ·xₜ·dt + σ·√dt·N(0, 1), restarted at 0 each episode, σ decaying per episode.</summary>
public sealed class OrnsteinUhlenbeckNoise : IExplorationNoise
{
    private readonly NoiseSchedule _schedule;
    private readonly float _theta, _dt;
    private readonly float[] _state;
    private readonly Random _random;
    private long _episode = -1;

    /// <summary>θ = 0.15, dt = 1 are DDPG's values (Lillicrap et al. 2016).</summary>
    public OrnsteinUhlenbeckNoise(int actionSize, NoiseSchedule schedule, int seed, float theta = 0.15f, float dt = 1f)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(actionSize);
        if (!(theta > 0 && float.IsFinite(theta))) throw new ArgumentOutOfRangeException(nameof(theta), theta, "OrnsteinUhlenbeckNoise: θ must be positive and finite.");
        if (!(dt > 0 && float.IsFinite(dt))) throw new ArgumentOutOfRangeException(nameof(dt), dt, "OrnsteinUhlenbeckNoise: dt must be positive and finite.");
        _schedule = schedule;
        _theta = theta;
        _dt = dt;
        _state = new float[actionSize];
        _random = new Random(seed);
        Scale = schedule.Initial;
    }

    public float Scale { get; private set; }

    public void StartEpisode()
    {
        Scale = _schedule.At(++_episode);
        Array.Clear(_state);
    }

    public void AddTo(Span<float> action)
    {
        if (action.Length != _state.Length)
            throw new ArgumentException($"OrnsteinUhlenbeckNoise.AddTo: action [{action.Length}] must be [{_state.Length}].", nameof(action));
        float diffusion = Scale * MathF.Sqrt(_dt);
        for (int i = 0; i < _state.Length; i++)
        {
            _state[i] += -_theta * _state[i] * _dt + diffusion * StandardNormal.Sample(_random);
            action[i] += _state[i];
        }
    }
}
