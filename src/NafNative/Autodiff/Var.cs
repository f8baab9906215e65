using NafNative.Tensors;

namespace NafNative.Autodiff;

/// <summary>A handle to one value recorded on a <see cref="Tape"/>: valid until the tape's next <see cref="Tape.Reset"/>.</summary>
public readonly struct Var
{
    internal Var(Tape tape, int id, int generation)
    {
        Tape = tape;
        Id = id;
        Generation = generation;
    }

    internal Tape Tape { get; }
    internal int Id { get; }
    /// <summary>The tape's step (count of Resets) this handle was recorded in.</summary>
    internal int Generation { get; }

    public Shape Shape => Tape.ShapeOf(this);
    public override string ToString() => Tape is null ? "Var (none)" : $"Var #{Id} {Shape}";
}
