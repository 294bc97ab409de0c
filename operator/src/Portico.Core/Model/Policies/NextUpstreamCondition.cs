namespace Portico.Core.Model.Policies;

/// <summary>A failure after which a request goes to the next endpoint (nginx's proxy_next_upstream conditions).</summary>
public enum NextUpstreamCondition
{
    /// <summary>"error": connecting, sending or reading failed.</summary>
    Error,

    /// <summary>"timeout".</summary>
    Timeout,

    /// <summary>"invalid_header": an empty or invalid response.</summary>
    InvalidHeader,

    Http500,
    Http502,
    Http503,
    Http504,
    Http403,
    Http404,
    Http429,

    /// <summary>"non_idempotent": also retry POST, LOCK, PATCH.</summary>
    NonIdempotent,
}
