using Microsoft.AspNetCore.Http;
using Traceline.Propagation;

namespace Traceline.AspNetCore;

/// <summary>
/// Whether a request's trace context and baggage are taken from its caller. An untrusted caller's request starts a
/// new root: its ids are kept only as a link, its sampled flag cannot force sampling, its baggage is dropped.
/// </summary>
internal sealed class InboundTrust
{
    private readonly PathString[] _untrustedPaths;
    private readonly Func<HttpContext, bool>? _trust;
    private readonly TracelineDiagnostics _diagnostics;

    public InboundTrust(TracingMiddlewareOptions options, TracelineDiagnostics diagnostics)
    {
        _untrustedPaths = [.. options.UntrustedPaths];
        _trust = options.TrustInboundContext;
        _diagnostics = diagnostics;
    }

    /// <summary>
    /// Returns whether <paramref name="extracted"/> is trusted (nothing extracted is trusted too); when it is not,
    /// <paramref name="parent"/> becomes a new root and <paramref name="link"/> holds the caller's ids, if any.
    /// </summary>
    public bool Apply(HttpContext context, in PropagationContext extracted, ref SpanContext parent, out SpanLink link)
    {
        link = default;
        if (!(parent.IsValid || extracted.Baggage.Count > 0) || IsTrusted(context))
        {
            return true;
        }

        if (parent.IsValid)
        {
            link = new SpanLink(parent);
        }

        parent = default;
        return false;
    }

    private bool IsTrusted(HttpContext context)
    {
        var path = context.Request.Path;
        foreach (var prefix in _untrustedPaths)
        {
            if (path.StartsWithSegments(prefix))
            {
                return false;
            }
        }

        return _trust is null
            || GuardedCallback.Test(_trust, context, onFailure: false, _diagnostics, nameof(TracingMiddlewareOptions) + "." + nameof(TracingMiddlewareOptions.TrustInboundContext));
    }
}
