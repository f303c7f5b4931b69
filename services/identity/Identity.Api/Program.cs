using Platform.Identity.Api;

var app = IdentityApp.Build(WebApplication.CreateBuilder(args));
app.Run();

public partial class Program;
