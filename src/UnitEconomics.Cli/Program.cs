using System.Net;
using System.Net.Sockets;
using UnitEconomics.Books.ProviderBills;
using UnitEconomics.Books.Reconciliation;
using UnitEconomics.Cli.Commands;
using UnitEconomics.Cli.Reporting;
using UnitEconomics.Otel.Pricing;
using UnitEconomics.Otel.Tenants;

// ue demo | ue report | ue reconcile | ue catalog (ue --help). Errors end with one line and a non-zero exit, never a stack trace.
try
{
    using var cancel = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cancel.Cancel();
    };
    return await UeCommandLine.RunAsync(args, Console.Out, Console.Error, cancel.Token);
}
catch (Exception ex) when (ex is TenantDirectoryException or CatalogValidationException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or UnitEconomics.Books.Focus.FocusFormatException)
{
    Console.Error.WriteLine("ue: " + ex.Message);
    return 1;
}
catch (HttpListenerException ex)
{
    // demo --serve: the address is taken, or not this machine's.
    Console.Error.WriteLine("ue: cannot listen there: " + ex.Message);
    return 1;
}
catch (Exception ex) when (ex is HttpRequestException or SocketException or TaskCanceledException or ReportSourceException or BillException or ReconciliationException)
{
    Console.Error.WriteLine("ue: " + ex.Message);
    return 1;
}
