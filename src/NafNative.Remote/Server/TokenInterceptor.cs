using Grpc.Core;
using Grpc.Core.Interceptors;

namespace NafNative.Remote.Server;

/// <summary>Refuses every call whose <c>authorization</c> header is not <c>Bearer &lt;shared token&gt;</c>, and logs
/// the refusal with the caller's address.</summary>
internal sealed class TokenInterceptor(LearnerState state) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        string? header = context.RequestHeaders.GetValue("authorization");
        if (!state.Options.Token.Matches(header))
        {
            string why = header is null ? "no token" : "wrong token";
            state.Refused($"{context.Method} from {context.Peer}: {why}");
            throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"{why}: every call needs the header 'authorization: Bearer <token>' with the learner's shared token."));
        }
        var response = await continuation(request, context).ConfigureAwait(false);
        if (state.Options.DropReplyForTest is { } drop && request is Protocol.TransitionBatch && drop(state.CountInsertCall()))
            throw new RpcException(new Status(StatusCode.Unavailable, "test: reply dropped"));
        return response;
    }
}
