from support.checkout_rows import buy
from support.learning_rows import learn_everything, write_bank

from marketplace.extensions import db
from marketplace.orders.models import OrderStatus


def test_smoke(app, shop):
    with app.app_context():
        write_bank(shop.self_paced)
        order = buy(shop, shop.self_paced)
        db.session.commit()
        learn_everything(order, shop.now)
        db.session.commit()
        assert order.status is OrderStatus.COMPLETED
        assert order.score == 100
