using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace UnitEconomics.TestSupport;

/// <summary>
/// A chat client standing in for a provider: answers with the usage it is told to report, so a test
/// drives Microsoft.Extensions.AI's real OpenTelemetry client and knows every token count.
/// </summary>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly ConcurrentQueue<UsageDetails> script = new();
    private readonly ChatClientMetadata metadata;
    private int calls;

    public ScriptedChatClient(string provider, string model)
    {
        this.metadata = new ChatClientMetadata(provider, new Uri("https://api.example.test/"), model);
        this.Model = model;
    }

    public string Model { get; }

    public int Calls => this.calls;

    /// <summary>Usage to report on the next call (queued); when empty, <see cref="Default"/>.</summary>
    public ScriptedChatClient Then(long input, long output, long cached = 0, long reasoning = 0)
    {
        this.script.Enqueue(Usage(input, output, cached, reasoning));
        return this;
    }

    public UsageDetails Default { get; set; } = Usage(100, 20);

    public static UsageDetails Usage(long input, long output, long cached = 0, long reasoning = 0) => new()
    {
        InputTokenCount = input,
        OutputTokenCount = output,
        TotalTokenCount = input + output,
        CachedInputTokenCount = cached == 0 ? null : cached,
        ReasoningTokenCount = reasoning == 0 ? null : reasoning,
    };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var call = Interlocked.Increment(ref this.calls);
        var usage = this.script.TryDequeue(out var next) ? next : this.Default;
        var response = new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
        {
            ModelId = options?.ModelId ?? this.Model,
            Usage = usage,
            ResponseId = "resp-" + call,
            FinishReason = ChatFinishReason.Stop,
        };
        return Task.FromResult(response);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Tests use non-streaming calls.");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? this.metadata : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
