using System.Net;
using System.Net.Http.Headers;
using Google.Protobuf;
using OpenTelemetry.Proto.Collector.Trace.V1;

namespace UnitEconomics.Exporter.Tests;

/// <summary>Sends OTLP requests to a running service, asserting they were accepted.</summary>
internal static class Send
{
    private static readonly HttpClient Http = new();

    public static async Task<HttpResponseMessage> ProtobufAsync(Uri tracesUri, ExportTraceServiceRequest request)
    {
        var content = new ByteArrayContent(request.ToByteArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-protobuf");
        return await Http.PostAsync(tracesUri, content);
    }

    public static async Task ProtobufOkAsync(Uri tracesUri, ExportTraceServiceRequest request)
    {
        using var response = await ProtobufAsync(tracesUri, request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task JsonOkAsync(Uri tracesUri, string json)
    {
        using var content = new StringContent(json);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await Http.PostAsync(tracesUri, content);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static async Task GrpcOkAsync(Uri grpcUri, ExportTraceServiceRequest request)
    {
        var response = await GrpcExport.CallAsync(grpcUri, request);
        Assert.Null(response.PartialSuccess);
    }
}
