namespace UnitEconomics.Books.Tests.Support;

/// <summary>
/// Response bodies of exactly the documented shapes (OpenAI's organization Costs and Usage APIs,
/// Anthropic's Admin API cost and usage reports), two pages per endpoint over two UTC days, with figures
/// chosen so that summing them in binary floating point would miss the cent.
/// </summary>
internal static class BillPages
{
    public static readonly DateTime Day1 = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime Day2 = Day1.AddDays(1);
    public static readonly DateTime Day3 = Day1.AddDays(2);

    public static long Unix(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeSeconds();

    // 0.1 + 0.2 + 1.005 + 2.115 = 3.42 exactly (in doubles it is 3.4200000000000004).
    public const decimal OpenAiTotalUsd = 3.42m;

    public static string[] OpenAiCosts() =>
    [
        $$"""
        {"object":"page","data":[{"object":"bucket","start_time":{{Unix(Day1)}},"end_time":{{Unix(Day2)}},"results":[
          {"object":"organization.costs.result","amount":{"value":0.1,"currency":"usd"},"line_item":"gpt-4.1-mini-2025-04-14, input","project_id":null},
          {"object":"organization.costs.result","amount":{"value":0.2,"currency":"usd"},"line_item":"gpt-4.1-mini-2025-04-14, output","project_id":null}]}],
         "has_more":true,"next_page":"page_1"}
        """,
        $$"""
        {"object":"page","data":[{"object":"bucket","start_time":{{Unix(Day2)}},"end_time":{{Unix(Day3)}},"results":[
          {"object":"organization.costs.result","amount":{"value":1.005,"currency":"usd"},"line_item":"gpt-4.1-nano-2025-04-14, input","project_id":null},
          {"object":"organization.costs.result","amount":{"value":2.115,"currency":"usd"},"line_item":"gpt-4.1-nano-2025-04-14, output","project_id":null}]}],
         "has_more":false,"next_page":null}
        """,
    ];

    public static string[] OpenAiUsage() =>
    [
        $$"""
        {"object":"page","data":[{"object":"bucket","start_time":{{Unix(Day1)}},"end_time":{{Unix(Day2)}},"results":[
          {"object":"organization.usage.completions.result","input_tokens":300000,"output_tokens":50000,"input_cached_tokens":100000,
           "input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":100,"project_id":null,"user_id":null,"api_key_id":null,
           "model":"gpt-4.1-mini-2025-04-14","batch":null}]}],
         "has_more":true,"next_page":"page_1"}
        """,
        $$"""
        {"object":"page","data":[{"object":"bucket","start_time":{{Unix(Day2)}},"end_time":{{Unix(Day3)}},"results":[
          {"object":"organization.usage.completions.result","input_tokens":2000000,"output_tokens":500000,"input_cached_tokens":0,
           "input_audio_tokens":0,"output_audio_tokens":0,"num_model_requests":400,"project_id":null,"user_id":null,"api_key_id":null,
           "model":"gpt-4.1-nano-2025-04-14","batch":null}]}],
         "has_more":false,"next_page":null}
        """,
    ];

    // (123.45 + 876.55 + 250.125) cents = 1,250.125 cents = $12.50125.
    public const decimal AnthropicTotalUsd = 12.50125m;

    public static string[] AnthropicCosts() =>
    [
        """
        {"data":[{"starting_at":"2026-10-01T00:00:00Z","ending_at":"2026-10-02T00:00:00Z","results":[
          {"currency":"USD","amount":"123.45","workspace_id":null,"description":"Claude Haiku 4.5 Usage - Input Tokens","cost_type":"tokens",
           "context_window":"0-200k","model":"claude-haiku-4-5-20251001","service_tier":"standard","token_type":"uncached_input_tokens"},
          {"currency":"USD","amount":"876.55","workspace_id":null,"description":"Claude Haiku 4.5 Usage - Output Tokens","cost_type":"tokens",
           "context_window":"0-200k","model":"claude-haiku-4-5-20251001","service_tier":"standard","token_type":"output_tokens"}]}],
         "has_more":true,"next_page":"page_1"}
        """,
        """
        {"data":[{"starting_at":"2026-10-02T00:00:00Z","ending_at":"2026-10-03T00:00:00Z","results":[
          {"currency":"USD","amount":"250.125","workspace_id":null,"description":"Claude Sonnet 4.5 Usage - Output Tokens","cost_type":"tokens",
           "context_window":"0-200k","model":"claude-sonnet-4-5-20250929","service_tier":"standard","token_type":"output_tokens"}]}],
         "has_more":false,"next_page":null}
        """,
    ];

    public static string[] AnthropicUsage() =>
    [
        """
        {"data":[{"starting_at":"2026-10-01T00:00:00Z","ending_at":"2026-10-02T00:00:00Z","results":[
          {"uncached_input_tokens":1500,"cache_creation":{"ephemeral_1h_input_tokens":1000,"ephemeral_5m_input_tokens":500},
           "cache_read_input_tokens":200,"output_tokens":500,"server_tool_use":{"web_search_requests":0},"api_key_id":null,
           "workspace_id":null,"model":"claude-haiku-4-5-20251001","service_tier":"standard","context_window":"0-200k"}]}],
         "has_more":true,"next_page":"page_1"}
        """,
        """
        {"data":[{"starting_at":"2026-10-02T00:00:00Z","ending_at":"2026-10-03T00:00:00Z","results":[
          {"uncached_input_tokens":3000,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},
           "cache_read_input_tokens":0,"output_tokens":700,"server_tool_use":{"web_search_requests":0},"api_key_id":null,
           "workspace_id":null,"model":"claude-sonnet-4-5-20250929","service_tier":"standard","context_window":"0-200k"}]}],
         "has_more":false,"next_page":null}
        """,
    ];
}
