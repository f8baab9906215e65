using System.Security.Cryptography;
using System.Text;

namespace NafNative.Remote.Security;

/// <summary>The secret every call to the learner must carry (<c>authorization: Bearer &lt;token&gt;</c>), read from a
/// file or the <see cref="EnvironmentVariable"/>, never from the command line (where other users could read it in
/// the process list).</summary>
public sealed class SharedToken
{
    /// <summary>The environment variable read when no token file is given.</summary>
    public const string EnvironmentVariable = "NAF_TOKEN";

    /// <summary>Shorter tokens are refused: a guessable secret protects nothing.</summary>
    public const int MinimumLength = 16;

    private readonly byte[] _bytes;

    public SharedToken(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        value = value.Trim();
        if (value.Length < MinimumLength)
            throw new ArgumentException($"the shared token has {value.Length} characters; use at least {MinimumLength} " +
                "(e.g. `head -c 24 /dev/urandom | base64 > token`).", nameof(value));
        if (value.Any(char.IsWhiteSpace))
            throw new ArgumentException("the shared token must not contain whitespace (it travels in an HTTP header).", nameof(value));
        Value = value;
        _bytes = Encoding.UTF8.GetBytes(value);
    }

    public string Value { get; }

    /// <summary>The header value a client sends.</summary>
    public string Header => "Bearer " + Value;

    /// <summary>Constant-time comparison of a received <c>authorization</c> header value, so timing does not leak how
    /// much of a guess was right.</summary>
    public bool Matches(string? header)
    {
        if (header is null || !header.StartsWith("Bearer ", StringComparison.Ordinal)) return false;
        var got = Encoding.UTF8.GetBytes(header.AsSpan(7).Trim().ToString());
        return CryptographicOperations.FixedTimeEquals(got, _bytes);
    }

    /// <summary>From <paramref name="file"/> if given, else from <see cref="EnvironmentVariable"/>.</summary>
    /// <exception cref="ArgumentException">Neither is set, the file is unreadable, or the token is too short.</exception>
    public static SharedToken Load(string? file)
    {
        if (file is not null)
        {
            string text;
            try { text = File.ReadAllText(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ArgumentException($"--token-file {file}: {e.Message}", e);
            }
            try { return new SharedToken(text); }
            catch (ArgumentException e) { throw new ArgumentException($"--token-file {file}: {e.Message}", e); }
        }
        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(env))
            throw new ArgumentException($"a shared token is required: give --token-file FILE or set {EnvironmentVariable} " +
                "(the same on the learner and every worker).");
        try { return new SharedToken(env); }
        catch (ArgumentException e) { throw new ArgumentException($"{EnvironmentVariable}: {e.Message}", e); }
    }
}
