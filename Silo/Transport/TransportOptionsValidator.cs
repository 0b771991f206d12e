using Microsoft.Extensions.Options;

namespace MultiRaft.Transport;

/// <summary>Fails the host's start with <see cref="TransportOptions.Validate"/>'s message.</summary>
internal sealed class TransportOptionsValidator : IValidateOptions<TransportOptions>
{
    public ValidateOptionsResult Validate(string? name, TransportOptions options)
    {
        try
        {
            options.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
