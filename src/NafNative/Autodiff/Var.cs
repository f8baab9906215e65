using NafNative.Tensors;

namespace NafNative.Autodiff;

/// <summary>A handle to one value recorded on a <see cref="Tape"/>: valid until the tape's next <see cref="Tape.Reset"/>.</summary>
public readonly struct Var
{
    internal Var(Tape tape, int id)
    {
        Tape = tape;
        Id = id;
    }

    internal Tape Tape { get; }
    internal int Id { get; }

    public Shape Shape => Tape.ShapeOf(this);
    public override string ToString() => Tape is null ? "Var (none)" : $"Var #{Id} {Shape}";
}
