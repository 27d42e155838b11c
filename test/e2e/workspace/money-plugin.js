// A kernel plugin for the plugins scenario (test/e2e/ui/plugins.e2e.mjs): a class, and its preview in the inspector.
class Money {
  constructor(currency, cents) {
    this.currency = currency;
    this.cents = cents;
  }
}
module.exports = {
  name: 'money',
  setup(context) {
    context.globals.Money = Money;
  },
  formatValue(value) {
    if (!(value instanceof Money)) return undefined;
    return { preview: `${(value.cents / 100).toFixed(2)} ${value.currency}`, properties: { amount: value.cents / 100, currency: value.currency } };
  },
};
