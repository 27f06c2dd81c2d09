/** A `.sql` file imported as its text (`with { type: 'text' }`): Bun, Deno and wrangler's Text rule. */
declare module '*.sql' {
  const text: string;
  export default text;
}
