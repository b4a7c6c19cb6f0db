namespace UnitEconomics.Otel.Spans;

/// <summary>
/// Attribute names read from spans, nested like the OpenTelemetry GenAI semantic conventions
/// (v1.37–v1.41) plus the aliases older or third-party instrumentations emit. One place, so the
/// normalizer, the processor and the tests agree on every spelling.
/// </summary>
public static class GenAiAttributes
{
    public static class GenAi
    {
        public const string OperationName = "gen_ai.operation.name";
        public const string ProviderName = "gen_ai.provider.name";
        public const string System = "gen_ai.system";
        public const string ConversationId = "gen_ai.conversation.id";

        public static class Request
        {
            public const string Model = "gen_ai.request.model";
        }

        public static class Response
        {
            public const string Model = "gen_ai.response.model";
            public const string Id = "gen_ai.response.id";
        }

        public static class Agent
        {
            public const string Name = "gen_ai.agent.name";
            public const string Id = "gen_ai.agent.id";
        }

        public static class Tool
        {
            public const string Name = "gen_ai.tool.name";
        }

        public static class DataSource
        {
            /// <summary>The data source (vector store, index) a <c>retrieval</c> span searched: names its catalog entry.</summary>
            public const string Id = "gen_ai.data_source.id";
        }

        public static class Usage
        {
            public const string InputTokens = "gen_ai.usage.input_tokens";
            public const string OutputTokens = "gen_ai.usage.output_tokens";
            public const string PromptTokens = "gen_ai.usage.prompt_tokens";
            public const string CompletionTokens = "gen_ai.usage.completion_tokens";
            public const string CacheReadInputTokens = "gen_ai.usage.cache_read.input_tokens";
            public const string CacheReadInputTokensLegacy = "gen_ai.usage.cache_read_input_tokens";
            public const string CacheCreationInputTokens = "gen_ai.usage.cache_creation.input_tokens";
            public const string CacheWriteInputTokens = "gen_ai.usage.cache_write.input_tokens";
            public const string CacheCreationInputTokensLegacy = "gen_ai.usage.cache_creation_input_tokens";
            public const string ReasoningOutputTokens = "gen_ai.usage.reasoning.output_tokens";
            public const string ReasoningTokensLegacy = "gen_ai.usage.reasoning_tokens";
            public const string CostAmount = "gen_ai.usage.cost.amount";
            public const string CostCurrency = "gen_ai.usage.cost.currency";
            public const string Cost = "gen_ai.usage.cost";
        }
    }

    /// <summary>OpenInference (Arize/Phoenix) names.</summary>
    public static class Llm
    {
        public const string PromptTokenCount = "llm.token_count.prompt";
        public const string CompletionTokenCount = "llm.token_count.completion";
        public const string CostTotal = "llm.cost.total";
    }

    public const string SessionId = "session.id";

    /// <summary>Attributes this product defines for what the conventions do not cover.</summary>
    public static class UnitEconomics
    {
        public const string TenantId = "tenant.id";
        public const string UseCase = "ai.use_case";
        public const string CacheHit = "ai.cache.hit";
        /// <summary>Marks a span as the root of an agent task when it is not an <c>invoke_agent</c> span.</summary>
        public const string TaskRoot = "ai.task.root";
        /// <summary>The call was made through a provider's batch API and is billed at batch prices.</summary>
        public const string Batch = "ai.batch";
    }

    /// <summary>Values of <c>gen_ai.operation.name</c>.</summary>
    public static class Operations
    {
        public const string Chat = "chat";
        public const string TextCompletion = "text_completion";
        public const string GenerateContent = "generate_content";
        public const string Embeddings = "embeddings";
        public const string Retrieval = "retrieval";
        public const string Rerank = "rerank";
        public const string ExecuteTool = "execute_tool";
        public const string InvokeAgent = "invoke_agent";
        public const string CreateAgent = "create_agent";
        public const string InvokeWorkflow = "invoke_workflow";
    }
}
