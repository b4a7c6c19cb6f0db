using System.Diagnostics;
using Microsoft.Extensions.AI;

namespace UnitEconomics.TestSupport;

/// <summary>
/// The agent task of DESIGN §1 driven through real spans: 1 planning call (2,000 tokens), 3 tool
/// invocations each with a model call (1,500 each; the third tool fails), 1 retry (5,000) and
/// 1 synthesis (3,000): 14,500 tokens, 6 model calls, 3 tool calls, 1 failed call. And the single-shot
/// completion of 3,000 tokens it is compared with.
/// </summary>
public static class AgentScenario
{
    public const string SourceName = "UnitEconomics.Tests.Agent";

    /// <summary>Input, output of each model call in order: planning, 3 tool calls, retry, synthesis.</summary>
    public static readonly (long Input, long Output)[] TaskCalls = [(1_500, 500), (1_200, 300), (1_200, 300), (1_200, 300), (4_000, 1_000), (2_000, 1_000)];

    public static readonly (long Input, long Output) SingleShot = (2_000, 1_000);

    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Runs the task under an <c>invoke_agent</c> root; <paramref name="chat"/> must be wrapped with UseOpenTelemetry.</summary>
    public static async Task RunTaskAsync(IChatClient chat, ScriptedChatClient provider, string tenant, string useCase, string agent = "researcher")
    {
        foreach (var (input, output) in TaskCalls)
        {
            provider.Then(input, output);
        }

        using var root = Source.StartActivity("invoke_agent " + agent, ActivityKind.Internal);
        root?.SetTag("gen_ai.operation.name", "invoke_agent");
        root?.SetTag("gen_ai.agent.name", agent);
        root?.SetTag("tenant.id", tenant);
        root?.SetTag("ai.use_case", useCase);
        root?.AddBaggage("tenant.id", tenant);
        root?.AddBaggage("ai.use_case", useCase);

        await chat.GetResponseAsync("plan the research");
        for (var i = 1; i <= 3; i++)
        {
            using var tool = Source.StartActivity("execute_tool web_search", ActivityKind.Internal);
            tool?.SetTag("gen_ai.operation.name", "execute_tool");
            tool?.SetTag("gen_ai.tool.name", "web_search");
            await chat.GetResponseAsync($"search step {i}");
            if (i == 3)
            {
                tool?.SetStatus(ActivityStatusCode.Error, "search backend timed out");
            }
        }

        await chat.GetResponseAsync("retry the failed search");
        await chat.GetResponseAsync("synthesize the answer");
    }

    /// <summary>One completion outside any agent task, 2,000 input and 1,000 output tokens.</summary>
    public static async Task RunSingleShotAsync(IChatClient chat, ScriptedChatClient provider, string tenant, string useCase)
    {
        provider.Then(SingleShot.Input, SingleShot.Output);
        using var request = Source.StartActivity("single-shot request");
        request?.AddBaggage("tenant.id", tenant);
        request?.AddBaggage("ai.use_case", useCase);
        await chat.GetResponseAsync("answer directly");
    }
}
