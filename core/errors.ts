// Errors caused by the user's input (a bad option value, a bad file), as opposed to bugs.
// The CLI prints these as one line; anything else gets a stack trace.
export class UserError extends Error {
  override readonly name: string = 'UserError';
}
