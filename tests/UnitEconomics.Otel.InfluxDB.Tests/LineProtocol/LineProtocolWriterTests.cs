using UnitEconomics.Otel.InfluxDB.Events;
using UnitEconomics.Otel.InfluxDB.LineProtocol;
using Xunit;

namespace UnitEconomics.Otel.InfluxDB.Tests.LineProtocol;

public sealed class LineProtocolWriterTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static readonly RequestEvent Plain = new(
        TestEvents.T0.AddTicks(1_234_567), "acme", "pro", "openai", "gpt-4o", "chat", "support", "miss",
        1200, 200, 0, 350, 50, 0.00625, 812.5, "req-1", TraceId, "estimated");

    private static string Write(in RequestEvent e)
    {
        using var w = new LineProtocolWriter();
        w.Write(e);
        return w.ToString();
    }

    [Fact]
    public void A_seeded_point_keeps_its_millisecond_and_takes_its_nanoseconds_from_the_span_id()
    {
        // 1736935200123456700 ns: millisecond 1736935200123000000; span id 00f0000000abcdef = 67,553,994,421,816,815, mod 10^6 = 816,815.
        var spanId = System.Diagnostics.ActivitySpanId.CreateFromString("00f0000000abcdef");
        var seeded = Plain with { PointSeed = PointTime.SeedOf(spanId) };
        Assert.EndsWith(" 1736935200123816815\n", Write(seeded), StringComparison.Ordinal);
        Assert.Equal(Write(seeded), Write(seeded with { }));   // the same on every instance and retry
        var other = Plain with { PointSeed = PointTime.SeedOf(System.Diagnostics.ActivitySpanId.CreateFromString("00f0000000abcdf0")) };
        Assert.EndsWith(" 1736935200123816816\n", Write(other), StringComparison.Ordinal);
        Assert.Equal(-1_000_000L + 5, PointTime.Nanos(-1, 5)); // before the epoch, still inside its millisecond
    }

    [Fact]
    public void Request_event_is_one_line_with_sorted_tags_typed_fields_and_ns_timestamp()
    {
        // 1,736,935,200 s + 1,234,567 ticks × 100 ns = 1736935200123456700 ns.
        Assert.Equal(
            "ai_request,cache=miss,model=gpt-4o,operation=chat,provider=openai,tenant=acme,tier=pro,use_case=support "
            + "input_tokens=1200i,cache_read_tokens=200i,cache_write_tokens=0i,output_tokens=350i,reasoning_tokens=50i,"
            + "cost_usd=0.00625,latency_ms=812.5,request_id=\"req-1\",trace_id=\"" + TraceId + "\",cost_source=\"estimated\" "
            + "1736935200123456700\n",
            Write(Plain));
    }

    [Fact]
    public void Agent_task_event_line()
    {
        var e = new AgentTaskEvent(TestEvents.T0, "acme", "enterprise", "planner", "research", "budget_exceeded",
            5, 3, 1, 14_500, 0.0435, 2300.25, "trace-9");
        using var w = new LineProtocolWriter();
        w.Write(e);
        Assert.Equal(
            "ai_agent_task,agent=planner,outcome=budget_exceeded,tenant=acme,tier=enterprise,use_case=research "
            + "model_calls=5i,tool_calls=3i,failed_calls=1i,tokens=14500i,cost_usd=0.0435,duration_ms=2300.25,trace_id=\"trace-9\" "
            + "1736935200000000000\n",
            w.ToString());
    }

    [Fact]
    public void User_request_event_line()
    {
        var e = new UserRequestEvent(TestEvents.T0, "acme", "pro", "support", "rag", 3, 1, 2, 0.01102, 1450.5, "trace-7");
        using var w = new LineProtocolWriter();
        w.Write(e);
        Assert.Equal(
            "ai_user_request,shape=rag,tenant=acme,tier=pro,use_case=support "
            + "calls=3i,inference_calls=1i,retrieval_calls=2i,cost_usd=0.01102,duration_ms=1450.5,trace_id=\"trace-7\" "
            + "1736935200000000000\n",
            w.ToString());
    }

    [Fact]
    public void Tag_values_escape_space_comma_and_equals()
    {
        var line = Write(Plain with { Tenant = "acme corp, inc=1", Model = "gpt \"4o\"" });
        Assert.Contains(",tenant=acme\\ corp\\,\\ inc\\=1,", line, StringComparison.Ordinal);
        // Quotes mean nothing in a tag value: written as they are.
        Assert.Contains(",model=gpt\\ \"4o\",", line, StringComparison.Ordinal);
    }

    [Fact]
    public void String_fields_escape_double_quote_and_backslash_only()
    {
        var line = Write(Plain with { RequestId = "say \"hi\", \\o/ = ok" });
        Assert.Contains(",request_id=\"say \\\"hi\\\", \\\\o/ = ok\",", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Newlines_never_break_the_line()
    {
        var line = Write(Plain with { Tenant = "two\nlines", RequestId = "a\r\nb" });
        Assert.Contains(",tenant=two\\ lines,", line, StringComparison.Ordinal);
        Assert.Contains(",request_id=\"a  b\",", line, StringComparison.Ordinal);
        Assert.Single(line.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Empty_tags_and_null_strings_are_omitted()
    {
        var line = Write(Plain with { Tier = "", UseCase = null!, RequestId = null, CostSource = "" });
        Assert.Equal(
            "ai_request,cache=miss,model=gpt-4o,operation=chat,provider=openai,tenant=acme "
            + "input_tokens=1200i,cache_read_tokens=200i,cache_write_tokens=0i,output_tokens=350i,reasoning_tokens=50i,"
            + "cost_usd=0.00625,latency_ms=812.5,trace_id=\"" + TraceId + "\",cost_source=\"\" 1736935200123456700\n",
            line);
    }

    [Fact]
    public void Default_event_writes_a_valid_line_without_timestamp()
    {
        // default(DateTime) is year 1: InfluxDB cannot store it, so the server's clock stamps the point.
        Assert.Equal(
            "ai_request input_tokens=0i,cache_read_tokens=0i,cache_write_tokens=0i,output_tokens=0i,reasoning_tokens=0i,cost_usd=0,latency_ms=0\n",
            Write(default));
    }

    [Theory]
    [InlineData(0.0000125, "1.25E-05")]
    [InlineData(3.0, "3")]
    [InlineData(0.1, "0.1")]
    [InlineData(123456.789, "123456.789")]
    [InlineData(-2.5, "-2.5")]
    public void Floats_use_invariant_round_trip_form(double value, string expected)
    {
        using var w = new LineProtocolWriter();
        w.BeginLine("m");
        w.Field("v", value);
        w.EndLine(TestEvents.T0);
        Assert.Equal("m v=" + expected + " 1736935200000000000\n", w.ToString());
    }

    [Fact]
    public void Non_finite_floats_are_omitted()
    {
        var line = Write(Plain with { CostUsd = double.NaN, LatencyMs = double.PositiveInfinity });
        Assert.DoesNotContain("cost_usd", line, StringComparison.Ordinal);
        Assert.DoesNotContain("latency_ms", line, StringComparison.Ordinal);
        Assert.Contains("reasoning_tokens=50i,request_id=", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Integers_carry_the_i_suffix_at_the_extremes()
    {
        using var w = new LineProtocolWriter();
        w.BeginLine("m");
        w.Field("min", long.MinValue);
        w.Field("max", long.MaxValue);
        w.EndLine(TestEvents.T0);
        Assert.Equal("m min=-9223372036854775808i,max=9223372036854775807i 1736935200000000000\n", w.ToString());
    }

    [Fact]
    public void Measurement_and_keys_are_escaped_in_the_general_api()
    {
        using var w = new LineProtocolWriter();
        w.BeginLine("my measurement,x=1");
        w.Tag("tag key", "v=1");
        w.Tag("empty", "");
        w.Field("field,key", "x");
        w.EndLine(TestEvents.T0);
        // '=' needs no escape in a measurement name; comma and space do.
        Assert.Equal("my\\ measurement\\,x=1,tag\\ key=v\\=1 field\\,key=\"x\" 1736935200000000000\n", w.ToString());
    }

    [Fact]
    public void Line_without_fields_is_taken_back()
    {
        using var w = new LineProtocolWriter();
        w.BeginLine("a");
        w.Field("x", 1L);
        w.EndLine(TestEvents.T0);
        w.BeginLine("b");
        w.Tag("t", "v");
        w.Field("nan", double.NaN);
        Assert.False(w.EndLine(TestEvents.T0));
        Assert.Equal("a x=1i 1736935200000000000\n", w.ToString());
        Assert.Equal(1, w.LineCount);
    }

    [Fact]
    public void Tags_after_fields_are_refused()
    {
        using var w = new LineProtocolWriter();
        w.BeginLine("a");
        w.Field("x", 1L);
        Assert.Throws<InvalidOperationException>(() => w.Tag("t", "v"));
    }

    [Fact]
    public void Non_ascii_text_is_utf8()
    {
        var line = Write(Plain with { Tenant = "café münchen", RequestId = "日本\"語\"" });
        Assert.Contains(",tenant=café\\ münchen,", line, StringComparison.Ordinal);
        Assert.Contains(",request_id=\"日本\\\"語\\\"\",", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Buffer_grows_past_its_initial_size_and_clear_reuses_it()
    {
        using var w = new LineProtocolWriter(initialCapacity: 256);
        var one = Write(Plain);
        for (var i = 0; i < 2000; i++)
        {
            w.Write(Plain);
        }

        Assert.Equal(2000, w.LineCount);
        Assert.Equal(string.Concat(Enumerable.Repeat(one, 2000)), w.ToString());
        w.Clear();
        w.Write(Plain);
        Assert.Equal(one, w.ToString());
    }
}
