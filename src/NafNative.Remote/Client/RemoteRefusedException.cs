namespace NafNative.Remote.Client;

/// <summary>The learner refused this worker for a reason retrying cannot fix (wrong token, task or size mismatch,
/// a malformed or oversized batch); the message is the learner's reason.</summary>
public sealed class RemoteRefusedException(string message, Exception? inner = null) : Exception(message, inner);
