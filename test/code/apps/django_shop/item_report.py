"""The products of each order, through its items: a query per order and another per item."""
import django_env  # noqa: F401

from shop.models import Order


def main():
    for order in Order.objects.order_by("number"):
        for item in order.items.all():
            print(order.number, item.product.name, item.quantity)


if __name__ == "__main__":
    main()
