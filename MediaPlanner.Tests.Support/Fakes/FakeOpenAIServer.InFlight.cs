namespace MediaPlanner.Tests.Fakes;

public sealed partial class FakeOpenAIServer
{
    /// <summary>Chat completions received and not yet answered: held by <see cref="FakeChatBehaviour.Delay"/>, or given up by their client.</summary>
    public int ChatsInFlight => Volatile.Read(ref _chatsInFlight);

    /// <summary>Waits until <paramref name="condition"/> holds of <see cref="ChatsInFlight"/>; fails after <paramref name="timeout"/> (10 s by default).</summary>
    public async Task WaitForChatsInFlightAsync(Func<int, bool> condition, TimeSpan? timeout = null)
    {
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        while (!condition(ChatsInFlight))
        {
            if (limit.IsCancellationRequested)
                throw new TimeoutException($"The fake OpenAI server still has {ChatsInFlight} chat completions in flight.");
            await Task.Delay(10, CancellationToken.None);
        }
    }
}
