namespace Traceline;

/// <summary>
/// The app's callbacks of one HTTP instrumentation (the middleware's or the handler's options): the filter and the
/// enrich hooks, each run guarded (see <see cref="GuardedCallback"/>) and named after its option in a failure's report.
/// </summary>
/// <typeparam name="TFiltered">What the filter decides on.</typeparam>
/// <typeparam name="TRequest">What the request hook is given.</typeparam>
/// <typeparam name="TResponse">What the response hook is given.</typeparam>
internal sealed class InstrumentationCallbacks<TFiltered, TRequest, TResponse>
{
    private readonly TracelineDiagnostics _diagnostics;
    private readonly Func<TFiltered, bool>? _filter;
    private readonly Action<Span, TRequest>? _enrichWithRequest;
    private readonly Action<Span, TResponse>? _enrichWithResponse;
    private readonly Action<Span, Exception>? _enrichWithException;

    // The names are made once: the request path builds no string.
    private readonly string _filterName;
    private readonly string _enrichWithRequestName;
    private readonly string _enrichWithResponseName;
    private readonly string _enrichWithExceptionName;

    public InstrumentationCallbacks(
        string optionsName,
        TracelineDiagnostics diagnostics,
        Func<TFiltered, bool>? filter,
        Action<Span, TRequest>? enrichWithRequest,
        Action<Span, TResponse>? enrichWithResponse,
        Action<Span, Exception>? enrichWithException = null)
    {
        _diagnostics = diagnostics;
        _filter = filter;
        _enrichWithRequest = enrichWithRequest;
        _enrichWithResponse = enrichWithResponse;
        _enrichWithException = enrichWithException;
        _filterName = optionsName + ".Filter";
        _enrichWithRequestName = optionsName + ".EnrichWithRequest";
        _enrichWithResponseName = optionsName + ".EnrichWithResponse";
        _enrichWithExceptionName = optionsName + ".EnrichWithException";
    }

    /// <summary>Whether the request is traced: the filter's answer; yes without a filter, or when the filter throws.</summary>
    public bool Admits(TFiltered request) =>
        _filter is null || GuardedCallback.Test(_filter, request, onFailure: true, _diagnostics, _filterName);

    public void EnrichWithRequest(Span span, TRequest request) =>
        GuardedCallback.Invoke(_enrichWithRequest, span, request, _diagnostics, _enrichWithRequestName);

    public void EnrichWithResponse(Span span, TResponse response) =>
        GuardedCallback.Invoke(_enrichWithResponse, span, response, _diagnostics, _enrichWithResponseName);

    public void EnrichWithException(Span span, Exception exception) =>
        GuardedCallback.Invoke(_enrichWithException, span, exception, _diagnostics, _enrichWithExceptionName);
}
