'use client';

import { Button } from '../../components/ui/button';

/** Opens the browser's print dialog (the print style prints the card alone). */
export function PrintButton({ label }: { label: string }) {
  return (
    <Button onClick={() => window.print()} className="print:hidden">
      {label}
    </Button>
  );
}
