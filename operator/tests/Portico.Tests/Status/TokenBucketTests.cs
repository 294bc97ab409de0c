using Microsoft.Extensions.Time.Testing;
using Portico.Status;

namespace Portico.Tests.Status;

public sealed class TokenBucketTests
{
    [Test]
    public void A_burst_is_allowed_then_tokens_come_back_at_the_rate_up_to_the_burst()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(3, 2, time);

        int burst = Enumerable.Range(0, 10).Count(_ => bucket.TryTake());
        time.Advance(TimeSpan.FromMilliseconds(500));
        int afterHalfASecond = Enumerable.Range(0, 10).Count(_ => bucket.TryTake());
        time.Advance(TimeSpan.FromHours(1));
        int afterAnHour = Enumerable.Range(0, 10).Count(_ => bucket.TryTake());

        Assert.That((burst, afterHalfASecond, afterAnHour), Is.EqualTo((3, 1, 3)));
    }
}
