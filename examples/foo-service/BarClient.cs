namespace Traceline.Examples.FooService;

/// <summary>A typed HttpClient for bar-service; the factory gives it the tracing handler.</summary>
public sealed class BarClient(HttpClient http)
{
    /// <summary>Gets bar-service's address.</summary>
    public Uri? BaseAddress => http.BaseAddress;

    /// <summary>Asks bar-service how many items of the order are in stock.</summary>
    /// <param name="id">The order id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>bar-service's answer, as text.</returns>
    public Task<string> GetStockAsync(int id, CancellationToken cancellationToken) =>
        http.GetStringAsync(new Uri($"/stock/{id}", UriKind.Relative), cancellationToken);
}
