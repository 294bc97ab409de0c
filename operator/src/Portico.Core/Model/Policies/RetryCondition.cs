namespace Portico.Core.Model.Policies;

/// <summary>A failure a request may be retried on.</summary>
public enum RetryCondition
{
    /// <summary>The connection to the endpoint could not be made.</summary>
    ConnectFailure,

    /// <summary>The connection was reset before a response.</summary>
    Reset,

    /// <summary>Any 5xx response.</summary>
    ServerError,

    /// <summary>502, 503 or 504.</summary>
    GatewayError,
}
