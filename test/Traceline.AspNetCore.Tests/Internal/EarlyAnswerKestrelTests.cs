using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Traceline.AspNetCore.Tests.Fakes;

namespace Traceline.AspNetCore.Tests.Internal;

/// <summary>
/// Requests that middleware registered before <c>UseTracing()</c> answers itself, on a real Kestrel server: each still
/// gets its server span, with the status the middleware answered.
/// </summary>
public sealed class EarlyAnswerKestrelTests
{
    [Fact]
    public async Task HttpsRedirectionBeforeUseTracing_Redirect_TracedWithItsStatus()
    {
        await using var app = await KestrelApp.StartAsync(new KestrelAppSetup
        {
            Services = s => s.AddHttpsRedirection(o => o.HttpsPort = 443),
            BeforeTracing = a => a.UseHttpsRedirection(),
        });
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = app.Address };

        using var response = await http.GetAsync("/users/1");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        AssertStatus(app.WaitForServerSpan(), "/users/1", 307);
    }

    [Fact]
    public async Task CorsBeforeUseTracing_Preflight_TracedWithItsStatus()
    {
        await using var app = await KestrelApp.StartAsync(new KestrelAppSetup
        {
            Services = s => s.AddCors(o => o.AddDefaultPolicy(p => p.WithOrigins("https://shop.example").AllowAnyMethod())),
            BeforeTracing = a => a.UseCors(),
        });
        using var http = app.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/users/1");
        preflight.Headers.Add("Origin", "https://shop.example");
        preflight.Headers.Add("Access-Control-Request-Method", "PUT");

        using var response = await http.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var span = app.WaitForServerSpan();
        Assert.Equal("OPTIONS", span.Name);
        AssertStatus(span, "/users/1", 204);
    }

    [Fact]
    public async Task StaticFilesBeforeUseTracing_File_TracedWithItsStatus()
    {
        var root = Directory.CreateTempSubdirectory("traceline-static-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(root.FullName, "hello.txt"), "hello");
            using var files = new PhysicalFileProvider(root.FullName);
            await using var app = await KestrelApp.StartAsync(new KestrelAppSetup
            {
                BeforeTracing = a => a.UseStaticFiles(new StaticFileOptions { FileProvider = files }),
            });
            using var http = app.CreateClient();

            Assert.Equal("hello", await http.GetStringAsync("/hello.txt"));

            AssertStatus(app.WaitForServerSpan(), "/hello.txt", 200);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task RateLimiterBeforeUseTracing_Rejected_TracedWithItsStatus()
    {
        await using var app = await KestrelApp.StartAsync(new KestrelAppSetup
        {
            Services = s => s.AddRateLimiter(o =>
            {
                o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(_ => RateLimitPartition.GetFixedWindowLimiter(
                    "all", _ => new FixedWindowRateLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1), QueueLimit = 0 }));
            }),
            BeforeTracing = a => a.UseRateLimiter(),
        });
        using var http = app.CreateClient();

        (await http.GetAsync("/users/1")).EnsureSuccessStatusCode();
        using var rejected = await http.GetAsync("/users/2");

        Assert.Equal(HttpStatusCode.TooManyRequests, rejected.StatusCode);
        AssertStatus(app.WaitForServerSpan(s => s.Attributes.ToArray().Any(a => a.Key == "url.path" && a.Value.StringValue == "/users/2")), "/users/2", 429);
    }

    [Fact]
    public async Task AuthenticationBeforeUseTracing_Challenge_TracedWithItsStatus()
    {
        await using var app = await KestrelApp.StartAsync(new KestrelAppSetup
        {
            Services = s => s.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o => o.Events.OnRedirectToLogin = context =>
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                return Task.CompletedTask;
            }),
            BeforeTracing = a =>
            {
                a.UseAuthentication();
                a.Use(async (context, next) =>
                {
                    if (context.User.Identity?.IsAuthenticated != true)
                    {
                        await context.ChallengeAsync();
                        return;
                    }

                    await next(context);
                });
            },
        });
        using var http = app.CreateClient();

        using var response = await http.GetAsync("/users/1");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        AssertStatus(app.WaitForServerSpan(), "/users/1", 401);
    }

    private static void AssertStatus(Span span, string path, int status)
    {
        var attributes = span.Attributes.ToArray();
        Assert.Equal(path, attributes.Single(a => a.Key == "url.path").Value.StringValue);
        Assert.Equal(status, attributes.Single(a => a.Key == "http.response.status_code").Value.LongValue);
        Assert.False(span.ParentSpanId.IsValid);
    }
}
