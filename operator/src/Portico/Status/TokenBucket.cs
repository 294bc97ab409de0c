namespace Portico.Status;

/// <summary>
/// A token bucket on a <see cref="TimeProvider"/>: up to <c>burst</c> takes at once, then <c>perSecond</c> on average.
/// Bounds how fast Portico writes Events however many diagnostics a (hostile) cluster produces.
/// </summary>
internal sealed class TokenBucket
{
    private readonly int _burst;
    private readonly double _perSecond;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _refilledAt;

    public TokenBucket(int burst, double perSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(burst);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        _burst = burst;
        _perSecond = perSecond;
        _time = time;
        _tokens = burst;
        _refilledAt = time.GetTimestamp();
    }

    public bool TryTake()
    {
        lock (_gate)
        {
            long now = _time.GetTimestamp();
            _tokens = Math.Min(_burst, _tokens + (_time.GetElapsedTime(_refilledAt, now).TotalSeconds * _perSecond));
            _refilledAt = now;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }
}
