using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Trace;
using UnitEconomics.Otel.Engine;
using UnitEconomics.Otel.Processing;
using UnitEconomics.TestSupport;
using Xunit;

namespace UnitEconomics.Otel.Tests.Processing;

/// <summary>Registration through OpenTelemetry.Extensions.Hosting, options bound from configuration.</summary>
[Collection("activity-listeners")]
public sealed class HostingTests
{
    [Fact]
    public async Task Options_bind_from_configuration_and_the_processor_prices_spans()
    {
        var sink = new RecordingSink();
        var logs = new CapturingLoggerProvider();
        var tenantFile = Path.Combine(Path.GetTempPath(), $"tenants-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(tenantFile, "tiers:\n  pro:\n    revenue_per_customer_per_month: 29\ntenants:\n  acme:\n    tier: pro\n");
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["UnitEconomics:MaxTenants"] = "7",
                ["UnitEconomics:TenantFile"] = tenantFile,
                ["UnitEconomics:Budgets:MaxTokensPerSession"] = "1000",
                ["UnitEconomics:Spans:TenantKeys:0"] = "customer.id",
            });
            builder.Logging.ClearProviders().AddProvider(logs);
            builder.Services.AddSingleton<ICostSink>(sink);
            builder.Services.AddOpenTelemetry().WithTracing(t => t.AddSource(AgentScenario.SourceName).AddUnitEconomics(o => o.Budgets.MaxTokensPerTask = 5));
            using var host = builder.Build();
            await host.StartAsync();

            var options = host.Services.GetRequiredService<IOptions<UnitEconomicsOptions>>().Value;
            Assert.Equal(7, options.MaxTenants);
            Assert.Equal(1000, options.Budgets.MaxTokensPerSession);
            Assert.Equal(5, options.Budgets.MaxTokensPerTask);       // code configuration after the bound section
            Assert.Equal(["customer.id"], options.Spans.EffectiveTenantKeys);

            for (var i = 0; i < 2; i++)
            {
                using var span = AgentScenario.Source.StartActivity("chat");
                span!.SetTag("gen_ai.operation.name", "chat").SetTag("gen_ai.provider.name", "openai").SetTag("gen_ai.request.model", "gpt-4o")
                    .SetTag("gen_ai.usage.input_tokens", 1000).SetTag("customer.id", "acme");
            }

            using (var unpriced = AgentScenario.Source.StartActivity("chat"))
            {
                unpriced!.SetTag("gen_ai.operation.name", "chat").SetTag("gen_ai.request.model", "no-such-model").SetTag("gen_ai.usage.input_tokens", 1);
            }

            using (var again = AgentScenario.Source.StartActivity("chat"))
            {
                again!.SetTag("gen_ai.operation.name", "chat").SetTag("gen_ai.request.model", "no-such-model").SetTag("gen_ai.usage.input_tokens", 1);
            }

            // Spans wait for the pricing thread; a reader of a sink has the engine price them first.
            host.Services.GetRequiredService<CostEngine>().PricePending();
            await host.StopAsync();

            // the default catalog prices gpt-4o: 1,000 × 2.50 / 1e6 each
            Assert.Equal([0.0025m, 0.0025m], sink.Calls.Select(c => c.Cost.Total));
            Assert.All(sink.Calls, c => Assert.Equal(("acme", "pro"), (c.TenantLabel, c.Tier)));
            Assert.Equal(2, sink.Unpriced.Count);
            Assert.Single(logs.Messages, m => m.Contains("no-such-model", StringComparison.Ordinal)); // logged once per model
        }
        finally
        {
            File.Delete(tenantFile);
        }
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public List<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Messages)
                {
                    owner.Messages.Add(formatter(state, exception));
                }
            }
        }
    }
}
