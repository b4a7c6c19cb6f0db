using Microsoft.Extensions.AI;

namespace UnitEconomics.Cli.Simulation;

/// <summary>
/// Stands in for a model provider: answers with the usage the scenario asks for, through the same
/// <see cref="IChatClient"/> interface a real provider client implements, so Microsoft.Extensions.AI's
/// OpenTelemetry client records the spans exactly as it would in production.
/// </summary>
public sealed class SimulatedChatClient : IChatClient
{
    /// <summary>Key of <see cref="ChatOptions.AdditionalProperties"/> carrying the usage to report.</summary>
    public const string UsageKey = "simulated.usage";

    private readonly ChatClientMetadata metadata;
    private readonly SimulatedClock clock;

    public SimulatedChatClient(string provider, string model, SimulatedClock clock)
    {
        this.metadata = new ChatClientMetadata(provider, new Uri("https://simulated.invalid/" + provider), model);
        this.clock = clock;
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var usage = options?.AdditionalProperties?.TryGetValue(UsageKey, out var u) == true && u is UsageDetails details ? details : new UsageDetails();

        // Latency grows with the work: time to first token plus generation time.
        this.clock.Advance(TimeSpan.FromMilliseconds(250 + ((usage.InputTokenCount ?? 0) / 50.0) + ((usage.OutputTokenCount ?? 0) * 12.0)));
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "simulated answer"))
        {
            ModelId = options?.ModelId ?? this.metadata.DefaultModelId,
            Usage = usage,
            FinishReason = ChatFinishReason.Stop,
        });
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The simulation makes non-streaming calls.");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(ChatClientMetadata) ? this.metadata : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}

/// <summary>An embedding provider that reports the input tokens it is told.</summary>
public sealed class SimulatedEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const string TokensKey = "simulated.tokens";

    private readonly EmbeddingGeneratorMetadata metadata;
    private readonly SimulatedClock clock;

    public SimulatedEmbeddingGenerator(string provider, string model, SimulatedClock clock)
    {
        this.metadata = new EmbeddingGeneratorMetadata(provider, new Uri("https://simulated.invalid/" + provider), model, 256);
        this.clock = clock;
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var tokens = options?.AdditionalProperties?.TryGetValue(TokensKey, out var t) == true && t is long n ? n : 0;
        this.clock.Advance(TimeSpan.FromMilliseconds(40));
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[8]) { ModelId = this.metadata.DefaultModelId }))
        {
            Usage = new UsageDetails { InputTokenCount = tokens, TotalTokenCount = tokens },
        };
        return Task.FromResult(embeddings);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? this.metadata : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
