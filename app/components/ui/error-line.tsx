// The line under a form or an action that says what went wrong. Always in the
// page (empty when all is well), so a screen reader announces the text when it
// appears and the layout does not jump.
export function ErrorLine({ message, className = '', testId }: { message: string | null; className?: string; testId?: string }) {
  return (
    <p role="alert" className={`min-h-5 text-sm font-medium text-red-800 ${className}`} data-testid={testId}>
      {message}
    </p>
  );
}
